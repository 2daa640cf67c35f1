export { ReportsModule } from './reports.module.js';
export { EXPOSURE_REPORT_SCHEMA, ExposureService, type ExposureItem, type ExposureReport } from './exposure.service.js';
