/**
 * A rule's response procedure (ISA-18.2 "alarm response information", the 应急预案 of a Chinese
 * site): the probable cause, the consequence of doing nothing, the operator's steps in order and
 * whom to call, each in Chinese and English. The console shows the steps as a checklist the
 * operator ticks (every tick is a journal row of the alarm).
 */
import { z } from 'zod';

/** A text in both languages of the console. */
export const bilingualText = z.object({
  'zh-CN': z.string().trim().min(1, 'the Chinese text is required'),
  en: z.string().trim().min(1, 'the English text is required'),
});
export type BilingualText = z.output<typeof bilingualText>;

export const procedureContactSchema = z.object({
  /** Role or organisation (`消防控制室值班员 / Fire control room`, `119`). */
  who: bilingualText,
  /** Number or extension to dial; absent where the site fills it in. */
  phone: z.string().trim().min(1).max(40).optional(),
});

export const procedureSchema = z.object({
  cause: bilingualText,
  consequence: bilingualText,
  /** What the operator does, in order (at most 30 steps). */
  steps: z.array(bilingualText).min(1).max(30),
  call: z.array(procedureContactSchema).default([]),
});
export type Procedure = z.output<typeof procedureSchema>;
export type ProcedureContact = z.output<typeof procedureContactSchema>;
