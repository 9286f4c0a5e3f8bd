/** Rows of the registry's tables. Times are Unix milliseconds; booleans 0/1. */
export interface MemberRow {
  id: string;
  instance: string;
  member_class: string;
  code: string;
  name_en: string;
  name_ur: string;
  province: string | null;
  created_at: number;
}

export interface SubsystemRow {
  id: string;
  member_id: string;
  code: string;
  name: string;
  created_at: number;
}

export interface SubsystemKeyRow {
  key_id: string;
  subsystem_id: string;
  public_jwk: string;
  status: 'registered' | 'approved' | 'revoked';
  not_before: number;
  not_after: number | null;
  replaces: string | null;
  registered_at: number;
  approved_at: number | null;
  revoked_at: number | null;
  revoke_reason: string | null;
}

export interface ServiceRow {
  id: string;
  subsystem_id: string;
  code: string;
  title: string;
  upstream_url: string;
  openapi: string | null;
  enabled: number;
  personal: number;
  subject_location: string | null;
  body_limit: number;
  quota_per_minute: number | null;
  created_at: number;
  updated_at: number;
}

export interface PurposeRow {
  code: string;
  name_en: string;
  name_ur: string;
  legal_basis: 'consent' | 'statute';
  statute: string | null;
  created_at: number;
}

export interface AccessRightRow {
  id: string;
  service_id: string;
  client_id: string;
  purposes: string;
  created_at: number;
}

export interface WitnessRow {
  id: string;
  member_id: string;
  name: string;
  vkey: string;
  url: string;
  created_at: number;
}

export interface OperatorRow {
  id: string;
  name: string;
  role: 'authority-admin' | 'member-admin';
  member_id: string | null;
  created_at: number;
}

export interface ApiTokenRow {
  id: string;
  operator_id: string;
  token_hash: string;
  created_at: number;
  revoked_at: number | null;
}

export interface RegistryVersionRow {
  id: number;
  version: number;
}

export interface RegistryTables {
  registry_version: RegistryVersionRow;
  members: MemberRow;
  subsystems: SubsystemRow;
  subsystem_keys: SubsystemKeyRow;
  services: ServiceRow;
  purposes: PurposeRow;
  access_rights: AccessRightRow;
  witnesses: WitnessRow;
  operators: OperatorRow;
  api_tokens: ApiTokenRow;
}
