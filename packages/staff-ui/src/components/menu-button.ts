/**
 * A button that opens a menu of actions, following the WAI-ARIA menu
 * button pattern: Enter, Space or Arrow Down opens it, arrows move between
 * items, Escape closes it and returns focus to the button. An item that is
 * not available stays listed, disabled, with its reason as a hint. The
 * menu opens below the button, aligned to its right edge, because the
 * app places menu buttons at the right end of toolbars.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { baseStyles } from '../ui/styles.js';

export interface MenuItem {
  id: string;
  label: string;
  /** Reason the item is disabled; an item with a reason cannot be chosen. */
  unavailable?: string;
}

/** Fired with the chosen item's id. */
export class MenuSelectEvent extends Event {
  constructor(readonly itemId: string) {
    super('menu-select', { bubbles: true, composed: true });
  }
}

@customElement('portico-menu-button')
export class MenuButton extends LitElement {
  static override styles = [
    baseStyles,
    css`
      :host {
        position: relative;
        display: inline-block;
      }
      [role='menu'] {
        position: absolute;
        z-index: 10;
        top: calc(100% + 4px);
        right: 0;
        min-width: 16rem;
        margin: 0;
        padding: 0.3rem 0;
        list-style: none;
        background: var(--surface);
        border: 1px solid var(--border-strong);
        border-radius: 8px;
        box-shadow: 0 6px 24px rgb(0 0 0 / 0.15);
      }
      [role='menuitem'] {
        display: block;
        width: 100%;
        text-align: left;
        border: none;
        border-radius: 0;
        background: none;
        padding: 0.45rem 0.9rem;
        white-space: normal;
      }
      [role='menuitem'][aria-disabled='true'] {
        color: var(--text-muted);
        cursor: not-allowed;
      }
      [role='menuitem']:focus-visible,
      [role='menuitem']:hover {
        background: var(--surface-hover);
        outline-offset: -2px;
      }
      .item-hint {
        display: block;
        font-size: 0.8rem;
        color: var(--text-muted);
      }
    `,
  ];

  @property() label = '';
  @property({ attribute: false }) items: MenuItem[] = [];
  @state() private open = false;

  override render() {
    return html`
      <button
        id="trigger"
        aria-haspopup="menu"
        aria-expanded=${this.open ? 'true' : 'false'}
        aria-controls="menu"
        @click=${() => void this.toggle()}
        @keydown=${(event: KeyboardEvent) => this.onTriggerKey(event)}
      >
        ${this.label} ▾
      </button>
      ${this.open ? this.renderMenu() : null}
    `;
  }

  private renderMenu() {
    return html`
      <ul
        id="menu"
        role="menu"
        aria-labelledby="trigger"
        @keydown=${(event: KeyboardEvent) => this.onMenuKey(event)}
        @focusout=${(event: FocusEvent) => this.onFocusOut(event)}
      >
        ${this.items.map(
          (item) => html`
            <li role="none">
              <button
                role="menuitem"
                tabindex="-1"
                aria-disabled=${item.unavailable ? 'true' : 'false'}
                aria-describedby=${item.unavailable ? `hint-${item.id}` : ''}
                @click=${() => this.choose(item)}
              >
                ${item.label}
                ${
                  item.unavailable
                    ? html`<span class="item-hint" id="hint-${item.id}"
                        >${item.unavailable}</span
                      >`
                    : null
                }
              </button>
            </li>
          `,
        )}
      </ul>
    `;
  }

  private async toggle(): Promise<void> {
    if (this.open) return this.close();
    await this.openAt(0);
  }

  private async openAt(index: number): Promise<void> {
    this.open = true;
    await this.updateComplete;
    this.focusItem(index);
  }

  private close(): void {
    this.open = false;
    this.renderRoot.querySelector<HTMLButtonElement>('#trigger')?.focus();
  }

  private choose(item: MenuItem): void {
    if (item.unavailable) return;
    this.close();
    this.dispatchEvent(new MenuSelectEvent(item.id));
  }

  private menuItems(): HTMLButtonElement[] {
    return [
      ...this.renderRoot.querySelectorAll<HTMLButtonElement>(
        '[role="menuitem"]',
      ),
    ];
  }

  private focusItem(index: number): void {
    const items = this.menuItems();
    const count = items.length;
    if (count === 0) return;
    items[((index % count) + count) % count]?.focus();
  }

  private onTriggerKey(event: KeyboardEvent): void {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      void this.openAt(event.key === 'ArrowDown' ? 0 : -1);
    }
  }

  private onMenuKey(event: KeyboardEvent): void {
    const items = this.menuItems();
    const current = items.indexOf(
      this.renderRoot.querySelector<HTMLButtonElement>(':focus') ??
        (items[0] as HTMLButtonElement),
    );
    const moves: Record<string, number> = {
      ArrowDown: current + 1,
      ArrowUp: current - 1,
      Home: 0,
      End: items.length - 1,
    };
    const target = moves[event.key];
    if (target !== undefined) {
      event.preventDefault();
      this.focusItem(target);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      this.close();
    } else if (event.key === 'Tab') {
      this.open = false;
    }
  }

  private onFocusOut(event: FocusEvent): void {
    const next = event.relatedTarget as Node | null;
    if (next === null || !this.renderRoot.contains(next)) this.open = false;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'portico-menu-button': MenuButton;
  }
}
