/** A contact that Sync Contact cannot publish; nothing was written. */
export class InvalidContactEmailError extends Error {
  override name = 'InvalidContactEmailError';
  constructor(
    readonly contactId: string,
    readonly reason: string,
  ) {
    super(`Cannot sync the contact to the portal: ${reason}`);
  }
}

/** A reminder action that does not fit the message's current state. */
export class ReminderStateError extends Error {
  override name = 'ReminderStateError';
  constructor(
    readonly id: string,
    readonly status: string,
    action: string,
  ) {
    super(`Cannot ${action} reminder ${id}: its status is ${status}.`);
  }
}

/** The relay's mail settings are not in the local firm doc yet. */
export class MailSettingsMissingError extends Error {
  override name = 'MailSettingsMissingError';
  constructor() {
    super(
      'The relay has not shared its mail settings yet. Connect to the ' +
        'relay once, then try again.',
    );
  }
}
