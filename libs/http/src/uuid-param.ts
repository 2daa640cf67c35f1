import { NotFoundException, ParseUUIDPipe } from '@nestjs/common';

/** A resource id in the path: anything that is not a UUID names no resource (404, not 400). */
export const uuidParam = (what: string) => new ParseUUIDPipe({ exceptionFactory: () => new NotFoundException(`${what} not found`) });
