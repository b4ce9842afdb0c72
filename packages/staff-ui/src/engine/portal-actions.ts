/**
 * Sync Contact and portal reminders for the views: the engine's portal
 * operations, with its errors turned into messages staff can act on.
 */
import {
  InvalidContactEmailError,
  type OutboxMessage,
  type StaffEngine,
} from '@portico/engine';
import type { RenderedMessage } from '@portico/engine/mail';

export type Reminder = OutboxMessage;
export type { RenderedMessage };

/** The result of Sync Contact, shaped for the contact form. */
export type SyncContactOutcome =
  | { ok: true; email: string; invited: boolean }
  | { ok: false; field: 'email' | undefined; message: string };

/** How long to wait for an upload batch's reminder after its uploads end. */
const BATCH_REMINDER_TIMEOUT_MS = 10_000;

export class PortalActions {
  constructor(private readonly engine: StaffEngine) {}

  /**
   * Publishes a contact. An invalid or missing email comes back as a
   * field error, and nothing is published then.
   */
  async syncContact(contactId: string): Promise<SyncContactOutcome> {
    try {
      const result = await this.engine.portal.syncContact(contactId);
      return {
        ok: true,
        email: result.email,
        invited: result.invite !== undefined,
      };
    } catch (error) {
      if (error instanceof InvalidContactEmailError) {
        return {
          ok: false,
          field: 'email',
          message: `A valid email address is needed for the portal: ${error.reason}`,
        };
      }
      return { ok: false, field: undefined, message: messageOf(error) };
    }
  }

  /** Calls the listener with the pending reminders, now and on change. */
  watchReminders(listener: (reminders: Reminder[]) => void): () => void {
    const subscription =
      this.engine.portal.pendingReminders$.subscribe(listener);
    return () => subscription.unsubscribe();
  }

  listPendingReminders(): Promise<Reminder[]> {
    return this.engine.portal.listPendingReminders();
  }

  /** Renders the email as the relay will send it, password masked. */
  previewReminder(id: string): Promise<RenderedMessage> {
    return this.engine.portal.previewReminder(id);
  }

  /** Queues the given reminders, so the relay sends them. */
  async sendReminders(ids: readonly string[]): Promise<number> {
    return (await this.engine.portal.sendReminders(ids)).length;
  }

  async sendAllReminders(): Promise<number> {
    return (await this.engine.portal.sendAllReminders()).length;
  }

  /**
   * Resolves with the reminder of an upload batch once it is pending, or
   * with undefined when no upload of the batch succeeded or the reminder
   * did not appear in time. The engine creates it, with the batch id as
   * its id, after the last upload of the batch ends.
   */
  async waitForBatchReminder(
    batchId: string,
    transferIds: readonly string[],
  ): Promise<Reminder | undefined> {
    const results = await Promise.allSettled(
      transferIds.map((id) => this.engine.files.whenTransferFinished(id)),
    );
    if (!results.some((result) => result.status === 'fulfilled')) {
      return undefined;
    }
    return new Promise((resolve) => {
      let done = false;
      const finish = (reminder: Reminder | undefined) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        queueMicrotask(() => subscription.unsubscribe());
        resolve(reminder);
      };
      const timer = setTimeout(
        () => finish(undefined),
        BATCH_REMINDER_TIMEOUT_MS,
      );
      const subscription = this.engine.portal.pendingReminders$.subscribe(
        (reminders) => {
          const reminder = reminders.find((r) => r.id === batchId);
          if (reminder !== undefined) finish(reminder);
        },
      );
    });
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
