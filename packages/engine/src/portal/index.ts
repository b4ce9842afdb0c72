export {
  createStaffPortal,
  type StaffPortal,
  type SyncContactResult,
} from './staff-portal.js';
export {
  InvalidContactEmailError,
  MailSettingsMissingError,
  ReminderStateError,
} from './errors.js';
export {
  readMailSettings,
  MAIL_SETTINGS_KEY,
  RELAY_SETTINGS_MAP,
  type MailSettings,
} from './mail-settings.js';
