/** Resident requests and complaints (intake, progress link, rating, personal data). */
export { ResidentService, firstResponse, type OrderPort, type ResidentProgress, type Submission, type SubmitOutcome } from './resident-service.ts';
export { IntakeError, type ResidentRequest } from './request-model.ts';
export { maskName, maskPhone } from './contact-mask.ts';
