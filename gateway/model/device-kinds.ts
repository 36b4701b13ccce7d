/**
 * Kept so existing imports keep working: the kinds live in gateway/model/kinds/ (one descriptor
 * per kind); new code imports from there.
 */
export * from './kinds/index.ts';
