// Plain cucumber-js configuration. `npm run conformance` (bin/vigie run) is the normal entry point:
// it validates the target configuration, starts the embedded reference LGC when asked, checks the
// target answers, and writes reports/summary.json. This profile lets you run cucumber-js directly
// against a target that is already running, e.g. while writing steps:
//   VIGIE_BASE_URL=http://127.0.0.1:8700 npx cucumber-js features/ins
const timeouts = {
  reachMs: 10000,
  actionMs: 10000,
  insiWaitMs: 3000,
  dmpWaitMs: 3000,
  settleMs: 2000,
  quietMs: 300,
  insiTimeoutMs: 30000,
  ePrescriptionTimeoutMs: 800,
  dmpTimeoutMs: 5000,
};
module.exports = {
  default: {
    requireModule: ['ts-node/register'],
    require: ['steps/**/*.ts'],
    paths: ['features/**/*.feature'],
    format: ['progress', 'summary'],
    tags: process.env.VIGIE_RULES ? '' : 'not @rule-pack',
    worldParameters: {
      target: process.env.VIGIE_TARGET || 'external',
      baseUrl: process.env.VIGIE_BASE_URL || 'http://127.0.0.1:8700',
      driver: 'http',
      defects: (process.env.VIGIE_DEFECTS || '').split(',').filter(Boolean),
      doubles: {
        host: process.env.VIGIE_DOUBLES_HOST || '127.0.0.1',
        insiPort: 0,
        dmpPort: 0,
        ePrescriptionPort: 0,
        mssSmtpPort: 0,
        mssPop3Port: 0,
      },
      serviceDefects: [],
      timeouts,
      runId: 'cli',
      rulesDir: process.env.VIGIE_RULES || null,
    },
  },
};
