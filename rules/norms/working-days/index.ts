/** The working-day calendar (China's public holidays and make-up working days, per year). */
export { CalendarError, WorkingDayCalendar, dateKey, expandDates } from './working-day-calendar.ts';
export { CHINA_2026, SHIPPED_YEARS, type YearCalendarInput } from './china-holidays.ts';
