import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layer map: which part of src/ may import which. A part is a folder of src/ (its
 * subfolders included) or one of the top-level modules. Lower layers know nothing of the
 * ones above them; commands reach the database only through services.
 */
const LAYERS = {
  domain: [],
  analytics: ['domain'],
  providers: ['domain'],
  auth: ['domain'],
  // Tokens are sealed where they are stored: the vault is pure crypto.
  db: ['domain', 'auth'],
  simulator: ['domain'],
  // Renderers format what the pricing core computes (cents, kWh, band names): pure code.
  ui: ['domain', 'tariffs'],
  tariffs: ['domain'],
  signals: ['domain'],
  // Provider defaults and settings shapes come from the providers; the anomaly methods and
  // languages a config may name are declared by the (pure) analytics; the tariffs section's
  // schema is the pricing core's.
  config: ['domain', 'providers', 'analytics', 'tariffs'],
  notify: ['domain', 'db', 'config'],
  imports: ['domain', 'providers', 'db'],
  link: ['domain', 'auth', 'providers', 'db', 'config'],
  // The sync reads tokens through the keyring and hands detected anomalies to notify.
  sync: ['domain', 'analytics', 'providers', 'auth', 'db', 'config', 'link', 'notify'],
  services: [
    'domain',
    'analytics',
    'providers',
    'auth',
    'db',
    'simulator',
    'tariffs',
    'config',
    'notify',
    'imports',
    'link',
    'sync',
  ],
  demo: [
    'domain',
    'analytics',
    'providers',
    'auth',
    'db',
    'simulator',
    'config',
    'notify',
    'link',
    'sync',
    'services',
  ],
  commands: ['domain', 'config', 'services', 'ui', 'demo', 'signals'],
  program: ['domain', 'config', 'commands'],
  cli: ['domain', 'ui', 'program'],
};

/** Type-only imports allowed across the map: interfaces, no code. */
const TYPES_FROM = {
  // The logger interface lives with its implementation; every layer may take a logger.
  '*': ['ui/logger'],
  // Renderers take what the services and analytics return.
  ui: ['services', 'analytics'],
  db: ['providers', 'analytics', 'config'],
  auth: ['providers'],
};

/** Files that depart from their layer's rule, and why. */
const EXCEPTIONS = [
  {
    // The P1 simulator writes telegrams with the pure telegram writer of the P1 provider
    // (the parser it is checked against is a separate module).
    files: ['src/simulator/p1/**'],
    layer: 'simulator',
    allow: ['providers'],
  },
  {
    // Detection feeds the alerting step here: the sync calls this check after each meter.
    files: ['src/notify/checkAnomalies.ts'],
    layer: 'notify',
    allow: ['analytics'],
  },
  {
    // The registry of subcommands.
    files: ['src/commands/index.ts'],
    layer: 'commands',
    siblings: true,
  },
  {
    // Local-day arithmetic of --from/--to lives in analytics/periods.
    files: ['src/commands/dateRange.ts'],
    layer: 'commands',
    allow: ['analytics'],
  },
];

const TOP_LEVEL = ['config', 'signals', 'program', 'cli'];
/** The pure core: no I/O, no process. */
const PURE = ['domain', 'analytics'];
const NAMES = Object.keys(LAYERS);

/** How an import names part `name` from inside a folder of src/, or from a top-level module. */
function source(name, fromTopLevel) {
  const prefix = fromTopLevel ? '\\./' : '(\\.\\./)+';
  const stem = name === 'config' ? 'config\\w*' : name;
  return `^${prefix}${stem}(\\.js|/.*)$`;
}

function restrictions(layer, { allow = [], siblings = false, inFolder = false } = {}) {
  const fromTopLevel = TOP_LEVEL.includes(layer) && !inFolder;
  const allowed = new Set([layer, ...LAYERS[layer], ...allow]);
  const typeOnly = [...TYPES_FROM['*'], ...(TYPES_FROM[layer] ?? [])];
  const patterns = [];
  for (const name of NAMES.filter((n) => !allowed.has(n))) {
    const typed = typeOnly.filter((t) => t === name || t.startsWith(`${name}/`));
    const message = `src/${layer} may not import src/${name} (layer map in eslint.config.js)`;
    if (typed.includes(name)) {
      patterns.push({ regex: source(name, fromTopLevel), allowTypeImports: true, message });
      continue;
    }
    const files = typed.map((t) => t.slice(name.length + 1));
    const except = files.length ? `(?!(${files.join('|')})\\.js$)` : '';
    const base = source(name, fromTopLevel).replace('(\\.js|/.*)$', '');
    patterns.push({ regex: `${base}(\\.js$|/${except}.*$)`, message });
    for (const f of files)
      patterns.push({ regex: `${base}/${f}\\.js$`, allowTypeImports: true, message });
  }
  if (PURE.includes(layer)) {
    patterns.push({
      group: ['node:*', 'pg', 'fs', 'http', 'https'],
      message: 'the pure core does no I/O',
    });
  }
  if (layer === 'commands' && siblings !== true) {
    // Commands share the context and option helpers, never another command.
    const shared = ['context', 'dateRange', ...(Array.isArray(siblings) ? siblings : [])];
    patterns.push({
      regex: `^\\./(?!(${shared.join('|')})\\.js$)`,
      message: 'a command may not import another command (shared helpers: context, dateRange)',
    });
  }
  return ['error', { patterns }];
}

function filesOf(layer) {
  if (layer === 'config') return ['src/config.ts', 'src/configValidate.ts', 'src/config*.ts'];
  if (TOP_LEVEL.includes(layer)) return [`src/${layer}.ts`];
  return [`src/${layer}/**`];
}

const exceptionFiles = EXCEPTIONS.flatMap((e) => e.files);

const layerRules = [
  ...NAMES.map((layer) => ({
    files: filesOf(layer),
    ignores: exceptionFiles,
    rules: { 'no-restricted-imports': restrictions(layer) },
  })),
  {
    // The configuration may grow into a folder of its own.
    files: ['src/config/**'],
    rules: { 'no-restricted-imports': restrictions('config', { inFolder: true }) },
  },
  ...EXCEPTIONS.map((e) => ({
    files: e.files,
    rules: { 'no-restricted-imports': restrictions(e.layer, e) },
  })),
];

export default tseslint.config(
  { ignores: ['dist/**', 'dist-bench/**', 'node_modules/**', 'coverage/**', 'bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'off',
    },
  },
  ...layerRules,
  {
    files: PURE.map((layer) => `src/${layer}/**`),
    rules: { 'no-restricted-globals': ['error', 'process'] },
  },
);
