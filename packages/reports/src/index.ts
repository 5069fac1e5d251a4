export * from './charts/accuracy-cost-chart.js';
export * from './charts/render-chart.js';
export * from './charts/token-correctness-chart.js';
export * from './paper/paper-experiment.js';
export * from './paper/paper-results.js';
export * from './paper/paper-summary.js';
export * from './paper/write-paper-report.js';
export * from './tables/report-table.js';
