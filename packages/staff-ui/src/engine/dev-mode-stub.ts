/**
 * Stands in for `rxdb/plugins/dev-mode` and `rxdb/plugins/validate-ajv` in
 * the built app (see vite.config.ts). The engine imports them only when
 * `devMode` is set, so reaching this module means a caller set it.
 */
function unavailable(): never {
  throw new Error(
    'RxDB dev-mode is not bundled into the staff app. Open the engine ' +
      'without devMode, or run the engine tests in Node for schema checks.',
  );
}

export const RxDBDevModePlugin = {
  name: 'dev-mode-unavailable',
  rxdb: true,
  init: unavailable,
};
export const disableWarnings = unavailable;
export const wrappedValidateAjvStorage = unavailable;
