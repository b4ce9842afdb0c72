import { LitElement, html, css } from 'lit';
import { customElement } from 'lit/decorators.js';

// NOTE: a placeholder page until the app's workflows are built.
@customElement('portico-portal-app')
export class PortalApp extends LitElement {
  static override styles = css`
    :host {
      display: block;
      font-family: system-ui, sans-serif;
      padding: 1rem;
    }
  `;

  override render() {
    return html`<main><h1>Portico client portal</h1></main>`;
  }
}
