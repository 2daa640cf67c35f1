import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';

/** Whether the instance is draining: /ready answers 503 from the moment shutdown begins. */
@Injectable()
export class Lifecycle implements BeforeApplicationShutdown {
  draining = false;

  beforeApplicationShutdown(): void {
    this.draining = true;
  }
}
