/** Inspection rounds and fire drills (routes, schedule on the Clock, QR check-in, results). */
export { InspectionService, routeIssues, type InspectionOrderPort, type ItemInput, type Recorder } from './inspection-service.ts';
export { InspectionError, onTime, type ItemResult, type Round, type RoundStatus } from './round-model.ts';
export { QrSigner, loadQrKey } from './qr-link.ts';
