/** The monthly norms report: figures, CSV/HTML, the job on the Clock. */
export { computeNorms, DEFAULT_TARGETS, NORM_IDS, SERVICE_RESPONSE_MS, type AvailabilityInput, type NormFigure, type NormId, type NormsFigures, type NormsInput, type Targets } from './norms-figures.ts';
export { NORM_LABELS, NORMS_LANGUAGES, type NormsLanguage } from './norms-labels.ts';
export { normsCsv, normsHtml, type NormsReport } from './norms-render.ts';
export { buildNormsReport, previousMonth, type NormsSources, type Range, type YearMonth } from './norms-report.ts';
export { NormsReportJob } from './norms-report-job.ts';
