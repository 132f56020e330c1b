/**
 * Which ARC cluster endpoint to try first. AWS: "Your process for getting and changing routing control
 * states should try each endpoint in rotation, as needed, since cluster endpoints are cycled through
 * available and unavailable states" (ARC developer guide, "Getting and updating routing control states
 * using the ARC API"). Always starting from the first endpoint made every call pay for an impaired one
 * (10 s each during a us-east-1 impairment: issue 16 finding 9), so calls start at the endpoint that
 * last answered and, when it fails, rotate on from there.
 *
 * One instance per {@link Clients} (per CLI invocation); not persisted.
 */
export class ArcEndpointPreference {
  private last?: string;

  /** `endpoints` rotated to start at the last endpoint that answered (unchanged when none has). */
  order<T extends { readonly endpoint: string }>(endpoints: readonly T[]): T[] {
    const i = endpoints.findIndex((e) => e.endpoint === this.last);
    return i <= 0 ? [...endpoints] : [...endpoints.slice(i), ...endpoints.slice(0, i)];
  }

  /** `endpoint` answered: the next call starts there. */
  answered(endpoint: string): void {
    this.last = endpoint;
  }

  /** The endpoint the next call starts at, if one has answered. */
  get preferred(): string | undefined {
    return this.last;
  }

  /** Forgets the preference (the local harness, between tests). */
  reset(): void {
    this.last = undefined;
  }
}
