/**
 * Column layouts of the Belgian portals' quarter-hour exports.
 *
 * Fluvius ("Mijn Fluvius" → Verbruik → Rapport downloaden → kwartiertotalen). Checked against
 * the sample exports published in the patrickvorgers/Home-Assistant-Import-Energy-Data
 * project (Datasources/Fluvius/Sample files/): the Dutch export
 * `Van datum;Van tijdstip;Tot datum;Tot tijdstip;EAN;Meter;Metertype;Register;Volume;Eenheid;Validatiestatus`
 * and the English one
 * `From (date);From (time);Until (date);Until (time);EAN code;Meter;Meter type;Register;Volume;Unit;Validation status;Description`;
 * newer Dutch exports write `Van (datum);Van (tijdstip);Tot (datum);Tot (tijdstip);EAN-code;…;Omschrijving`.
 * Dates are DD-MM-YYYY (nl) or DD/MM/YYYY (en), times HH:mm:ss local, the EAN wrapped as
 * ="5414…" so Excel keeps its zeros, volumes in kWh with a decimal comma, one row per
 * quarter-hour and register: Afname Dag/Nacht, Injectie Dag/Nacht (Offtake/Injection
 * Day/Night); a quarter-hour without data has an empty volume ("Geen verbruik").
 *
 * ORES (Wallonia): no public description or sample of its customer-portal export was found.
 * The layout below is an assumption modelled on the Fluvius one with French names
 * (`Date de début;Heure de début;Date de fin;Heure de fin;Code EAN;Registre;Volume;Unité`);
 * every column name can be given with `--column role=NAME`
 * (roles: fromDate, fromTime, toDate, toTime, ean, register, volume, unit).
 */
import type { PortalFormat } from './portalQuarterHours.js';

export const FLUVIUS: PortalFormat = {
  name: 'Fluvius',
  layout: {
    fromDate: ['Van (datum)', 'Van datum', 'From (date)', 'From date'],
    fromTime: ['Van (tijdstip)', 'Van tijdstip', 'From (time)', 'From time'],
    toDate: ['Tot (datum)', 'Tot datum', 'Until (date)', 'Until date', 'To (date)'],
    toTime: ['Tot (tijdstip)', 'Tot tijdstip', 'Until (time)', 'Until time', 'To (time)'],
    ean: ['EAN-code', 'EAN code', 'EAN'],
    register: ['Register'],
    volume: ['Volume'],
    unit: ['Eenheid', 'Unit'],
  },
  required: ['fromDate', 'fromTime', 'register', 'volume'],
};

export const ORES_PORTAL: PortalFormat = {
  name: 'ORES portal',
  layout: {
    fromDate: ['Date de début', 'Date début', 'Date', 'Du (date)'],
    fromTime: ['Heure de début', 'Heure début', 'Heure', 'Du (heure)'],
    toDate: ['Date de fin', 'Date fin', 'Au (date)'],
    toTime: ['Heure de fin', 'Heure fin', 'Au (heure)'],
    ean: ['Code EAN', 'EAN', 'EAN code'],
    register: ['Registre', 'Type', 'Sens'],
    volume: ['Volume', 'Valeur', 'Consommation', 'Quantité'],
    unit: ['Unité', 'Unite'],
  },
  required: ['fromDate', 'fromTime', 'register', 'volume'],
};
