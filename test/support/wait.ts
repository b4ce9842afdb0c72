/** Polls a condition until it holds; fails with the description after the deadline. */
export async function until(
  condition: () => Promise<boolean> | boolean,
  description: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${description}.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
