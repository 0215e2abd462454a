/**
 * The simulated providers' paths. `data` marks the calls that faults and latency apply to
 * (the metering APIs); consent pages and token endpoints always answer.
 */
import type { ProviderName } from './providerNames.js';
import {
  enedisAuthorize,
  enedisSeries,
  enedisSubscribedServices,
  enedisToken,
  type EnedisDeps,
} from './enedisRoutes.js';
import type { Answer, RequestContext } from './http.js';
import {
  oresAuthorize,
  oresLoadCurve,
  oresRevoke,
  oresToken,
  type OresDeps,
} from './oresRoutes.js';

export interface Route {
  method: 'GET' | 'POST';
  path: string;
  provider: ProviderName;
  data: boolean;
  handle(ctx: RequestContext): Answer;
}

export function buildRoutes(deps: { enedis: EnedisDeps; ores: OresDeps }): Route[] {
  const e = deps.enedis;
  const o = deps.ores;
  const enedis = (
    method: Route['method'],
    path: string,
    data: boolean,
    handle: Route['handle'],
  ): Route => ({
    method,
    path,
    provider: 'enedis',
    data,
    handle,
  });
  const ores = (
    method: Route['method'],
    path: string,
    data: boolean,
    handle: Route['handle'],
  ): Route => ({
    method,
    path,
    provider: 'ores',
    data,
    handle,
  });
  return [
    enedis('GET', '/dataconnect/v2/oauth2/authorize', false, (c) => enedisAuthorize(c, e, 'v2')),
    enedis('GET', '/dataconnect/v1/oauth2/authorize', false, (c) => enedisAuthorize(c, e, 'v1')),
    enedis('POST', '/oauth2/v3/token', false, (c) => enedisToken(c, e)),
    enedis('POST', '/subscribed_services/v1', true, (c) => enedisSubscribedServices(c, e)),
    enedis('GET', '/mesure_synchrone_auto/v2/courbe_de_charge_consommation', true, (c) =>
      enedisSeries(c, e, { api: '2026', kind: 'CONS' }),
    ),
    enedis('GET', '/mesure_synchrone_auto/v2/courbe_de_charge_production', true, (c) =>
      enedisSeries(c, e, { api: '2026', kind: 'PROD' }),
    ),
    enedis('GET', '/mesure_synchrone_auto/v2/consommation_quotidienne', true, (c) =>
      enedisSeries(c, e, { api: '2026', kind: 'DAILY' }),
    ),
    enedis('GET', '/mesure_synchrone_auto/v2/production_quotidienne', true, (c) =>
      enedisSeries(c, e, { api: '2026', kind: 'DAILY_PROD' }),
    ),
    enedis('GET', '/mesure_synchrone_auto/v2/puissance_conso_max_quotidienne', true, (c) =>
      enedisSeries(c, e, { api: '2026', kind: 'MAX_POWER' }),
    ),
    enedis('GET', '/metering_data_dp/v5/daily_production', true, (c) =>
      enedisSeries(c, e, { api: 'v5', kind: 'DAILY_PROD' }),
    ),
    enedis('GET', '/metering_data_dcmp/v5/daily_consumption_max_power', true, (c) =>
      enedisSeries(c, e, { api: 'v5', kind: 'MAX_POWER' }),
    ),
    enedis('GET', '/metering_data_clc/v5/consumption_load_curve', true, (c) =>
      enedisSeries(c, e, { api: 'v5', kind: 'CONS' }),
    ),
    enedis('GET', '/metering_data_plc/v5/production_load_curve', true, (c) =>
      enedisSeries(c, e, { api: 'v5', kind: 'PROD' }),
    ),
    enedis('GET', '/metering_data_dc/v5/daily_consumption', true, (c) =>
      enedisSeries(c, e, { api: 'v5', kind: 'DAILY' }),
    ),
    ores('GET', '/oauth/authorize', false, (c) => oresAuthorize(c, o)),
    ores('POST', '/oauth/token', false, (c) => oresToken(c, o)),
    ores('POST', '/oauth/revoke', false, (c) => oresRevoke(c, o)),
    ores('GET', '/v1/consumption_load_curve', true, (c) => oresLoadCurve(c, o, 'consumption')),
    ores('GET', '/v1/production_load_curve', true, (c) => oresLoadCurve(c, o, 'production')),
  ];
}
