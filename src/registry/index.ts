import type { Actor } from '../core/index.js';
import * as access from './access.js';
import type { RegistryDeps } from './deps.js';
import * as keys from './keys.js';
import * as members from './members.js';
import * as operators from './operators.js';
import * as purposes from './purposes.js';
import * as services from './services.js';
import * as subsystems from './subsystems.js';
import * as witnesses from './witnesses.js';
import { createViewSource } from './view.js';
import { listChanges } from '../ledger/index.js';

export type { RegistryDeps } from './deps.js';
export type { AccessRight } from './access.js';
export type { PublicJwk, RegisterKeyInput, SubsystemKey } from './keys.js';
export type { Member, MemberInput } from './members.js';
export type { Operator } from './operators.js';
export type { Purpose } from './purposes.js';
export type { Service, ServiceInput, ServiceUpdate } from './services.js';
export type { Subsystem } from './subsystems.js';
export type { Witness } from './witnesses.js';
export type { RegistryView } from './view.js';
export { registryMigrations } from './migrations.js';
export { checkPublicJwk } from './keys.js';

/**
 * The registry: who the members are, what they offer, who may call what, and
 * the operators who govern it. Every change is journalled through the recorder.
 */
export function createRegistry(deps: RegistryDeps, options: { defaultBodyLimit: number }) {
  const view = createViewSource(deps);
  return {
    /** the exchange's per-call view, cached per registry version */
    view,
    instance: deps.instance,
    createMember: (actor: Actor, input: members.MemberInput) => members.createMember(deps, actor, input),
    listMembers: () => members.listMembers(deps),
    getMember: (id: string) => members.getMember(deps, id),

    createSubsystem: (actor: Actor, memberId: string, input: { code: string; name: string }) => subsystems.createSubsystem(deps, actor, memberId, input),
    listSubsystems: (memberId?: string) => subsystems.listSubsystems(deps, memberId),
    getSubsystem: (id: string) => subsystems.getSubsystem(deps, id),

    registerKey: (actor: Actor, subsystemId: string, input: keys.RegisterKeyInput) => keys.registerKey(deps, actor, subsystemId, input),
    approveKey: (actor: Actor, keyId: string, overlapMs?: number) => keys.approveKey(deps, actor, keyId, overlapMs),
    revokeKey: (actor: Actor, keyId: string, reason: string) => keys.revokeKey(deps, actor, keyId, reason),
    listKeys: (subsystemId: string) => keys.listKeys(deps, subsystemId),
    getKey: (keyId: string) => keys.getKey(deps, keyId),

    createService: (actor: Actor, subsystemId: string, input: services.ServiceInput) =>
      services.createService(deps, actor, subsystemId, input, options.defaultBodyLimit),
    updateService: (actor: Actor, serviceId: string, input: services.ServiceUpdate) => services.updateService(deps, actor, serviceId, input),
    listServices: (filter?: { memberId?: string }) => services.listServices(deps, filter),
    getService: (serviceId: string) => services.getService(deps, serviceId),
    getServiceOpenapi: (serviceId: string) => services.getServiceOpenapi(deps, serviceId),
    findServiceRow: (serviceId: string) => services.findServiceRow(deps, serviceId),

    createPurpose: (actor: Actor, input: purposes.Purpose) => purposes.createPurpose(deps, actor, input),
    listPurposes: () => purposes.listPurposes(deps),
    findPurpose: (code: string) => purposes.findPurpose(deps, code),

    grantAccess: (actor: Actor, input: { serviceId: string; clientId: string; purposes: string[] }) => access.grantAccess(deps, actor, input),
    revokeAccess: (actor: Actor, id: string) => access.revokeAccess(deps, actor, id),
    listAccess: (filter?: { serviceId?: string; clientId?: string; memberId?: string }) => access.listAccess(deps, filter),
    allowedPurposes: (serviceId: string, clientId: string) => access.allowedPurposes(deps, serviceId, clientId),

    addWitness: (actor: Actor, input: { memberId: string; vkey: string; url: string }) => witnesses.addWitness(deps, actor, input),
    listWitnesses: () => witnesses.listWitnesses(deps),
    updateWitnessUrl: (actor: Actor, name: string, url: string) => witnesses.updateWitnessUrl(deps, actor, name, url),

    listChanges: (options: { after?: number; limit?: number }) => listChanges(deps.db, options),

    createOperator: (actor: Actor, input: { name: string; role: 'authority-admin' | 'member-admin'; memberId?: string | null }) =>
      operators.createOperator(deps, actor, input),
    listOperators: (actor: Actor) => operators.listOperators(deps, actor),
    countOperators: () => operators.countOperators(deps),
    authenticateToken: (token: string) => operators.authenticateToken(deps, token),
  };
}

export type Registry = ReturnType<typeof createRegistry>;
