import { LICENSE } from './datapackage.js';

export interface CatalogRelease {
  version: string;
  publishedAt: string;
  from: string;
  to: string;
  digest: string;
  resources: Array<{ name: string; path: string; title: string; description: string; bytes: number; hash: string }>;
}

const CONTEXT = {
  dcat: 'http://www.w3.org/ns/dcat#',
  dct: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  spdx: 'http://spdx.org/rdf/terms#',
  adms: 'http://www.w3.org/ns/adms#',
  skos: 'http://www.w3.org/2004/02/skos/core#',
};

const EU = 'http://publications.europa.eu/resource/authority';
const lit = (value: string) => ({ '@value': value, '@language': 'en' });
const dateTime = (value: string) => ({ '@value': value, '@type': 'xsd:dateTime' });
const ref = (id: string) => ({ '@id': id });

/**
 * The DCAT-AP 3 catalogue of every release, in JSON-LD: a dcat:Catalog whose
 * datasets are the releases and whose distributions are their files (each
 * with its spdx:Checksum), so a harvester (data.europa.eu, CKAN) can read it.
 */
export function catalog(publicUrl: string, releases: readonly CatalogRelease[]): Record<string, unknown> {
  const base = `${publicUrl}/open-data`;
  const publisher = { '@id': `${publicUrl}/#authority`, '@type': 'foaf:Agent', 'foaf:name': lit('Rabta authority'), 'dct:type': ref(`${EU}/corporate-body-type/NAT_GOV`) };
  const spatial = ref(`${EU}/country/PAK`);
  return {
    '@context': CONTEXT,
    '@id': `${base}/catalog.jsonld`,
    '@type': 'dcat:Catalog',
    'dct:title': lit('Rabta open data'),
    'dct:description': lit('Releases of figures on how institutions work together through Rabta: Frictionless Data Packages whose digests are in the transparency log.'),
    'dct:publisher': publisher,
    'foaf:homepage': ref(`${base}/`),
    'dct:language': ref(`${EU}/language/ENG`),
    'dct:license': ref(LICENSE.path),
    'dct:spatial': spatial,
    ...(releases[0] ? { 'dct:modified': dateTime(releases[0].publishedAt) } : {}),
    'dcat:dataset': releases.map((r) => dataset(base, r, publisher, spatial)),
  };
}

function dataset(base: string, r: CatalogRelease, publisher: Record<string, unknown>, spatial: Record<string, unknown>) {
  const root = `${base}/releases/${r.version}`;
  return {
    '@id': `${root}/`,
    '@type': 'dcat:Dataset',
    'dct:identifier': `${root}/datapackage.json`,
    'dct:title': lit(`Rabta open data, release ${r.version}`),
    'dct:description': lit(`Collaboration figures from ${r.from} to ${r.to}; SHA-256 of datapackage.json: ${r.digest} (a leaf of the transparency log).`),
    'dct:issued': dateTime(r.publishedAt),
    'dct:publisher': publisher,
    'dct:spatial': spatial,
    'dct:temporal': { '@type': 'dct:PeriodOfTime', 'dcat:startDate': dateTime(r.from), 'dcat:endDate': dateTime(r.to) },
    'dcat:version': r.version,
    'dcat:keyword': [lit('e-government'), lit('interoperability'), lit('collaboration')],
    'dcat:theme': ref(`${EU}/data-theme/GOVE`),
    'dct:accessRights': ref(`${EU}/access-right/PUBLIC`),
    'dct:conformsTo': ref('https://specs.frictionlessdata.io/tabular-data-package/'),
    'dcat:landingPage': ref(`${root}/datapackage.json`),
    'dcat:distribution': [
      distribution(root, { path: 'datapackage.json', title: 'Data Package descriptor', description: 'Frictionless Data Package descriptor (JSON) with Table Schemas', bytes: -1, hash: `sha256:${r.digest}` }, 'JSON', 'application/json'),
      ...r.resources.map((res) => distribution(root, res, 'CSV', 'text/csv')),
    ],
  };
}

function distribution(root: string, res: { path: string; title: string; description: string; bytes: number; hash: string }, format: 'CSV' | 'JSON', mediaType: string) {
  const url = `${root}/${res.path}`;
  return {
    '@id': `${url}#distribution`,
    '@type': 'dcat:Distribution',
    'dcat:accessURL': ref(url),
    'dcat:downloadURL': ref(url),
    'dct:title': lit(res.title),
    'dct:description': lit(res.description),
    'dct:format': ref(`${EU}/file-type/${format}`),
    'dcat:mediaType': ref(`https://www.iana.org/assignments/media-types/${mediaType}`),
    'dct:license': ref(LICENSE.path),
    ...(res.bytes >= 0 ? { 'dcat:byteSize': { '@value': String(res.bytes), '@type': 'xsd:nonNegativeInteger' } } : {}),
    'spdx:checksum': {
      '@type': 'spdx:Checksum',
      'spdx:algorithm': ref('http://spdx.org/rdf/terms#checksumAlgorithm_sha256'),
      'spdx:checksumValue': { '@value': res.hash.replace(/^sha256:/, ''), '@type': 'xsd:hexBinary' },
    },
  };
}
