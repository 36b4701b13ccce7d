/**
 * China's statutory public holidays and make-up working days (调休上班) as published by the State
 * Council's General Office for each year. Shipped for 2026; a site adds or corrects a year under
 * `norms.calendar.years` in its site file (a configured year replaces the shipped one).
 *
 * Dates are local calendar dates in the site's time zone; `a..b` is an inclusive range.
 */
export interface YearCalendarInput {
  /** Days off that would otherwise be working days (and holidays falling on weekends). */
  readonly holidays: readonly string[];
  /** Weekend days that are working days (make-up days). */
  readonly workdays: readonly string[];
}

/** 国务院办公厅关于2026年部分节假日安排的通知. */
export const CHINA_2026: YearCalendarInput = {
  holidays: [
    '2026-01-01..2026-01-03', // 元旦
    '2026-02-15..2026-02-23', // 春节
    '2026-04-04..2026-04-06', // 清明节
    '2026-05-01..2026-05-05', // 劳动节
    '2026-06-19..2026-06-21', // 端午节
    '2026-09-25..2026-09-27', // 中秋节
    '2026-10-01..2026-10-07', // 国庆节
  ],
  workdays: [
    '2026-01-04', // 元旦调休 (Sunday)
    '2026-02-14', // 春节调休 (Saturday)
    '2026-02-28', // 春节调休 (Saturday)
    '2026-05-09', // 劳动节调休 (Saturday)
    '2026-09-20', // 国庆节调休 (Sunday)
    '2026-10-10', // 国庆节调休 (Saturday)
  ],
};

export const SHIPPED_YEARS: Readonly<Record<string, YearCalendarInput>> = { '2026': CHINA_2026 };
