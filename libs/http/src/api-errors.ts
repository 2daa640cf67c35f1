import { BadRequestException, HttpException, HttpStatus } from '@nestjs/common';
import type { ValidationIssue } from '#registry';

/** 400 whose body names each failing JSON pointer and rule. */
export class ValidationFailed extends BadRequestException {
  constructor(message: string, details: ValidationIssue[]) {
    super({ message, details });
  }
}

export class PreconditionFailed extends HttpException {
  constructor(message: string) {
    super(message, HttpStatus.PRECONDITION_FAILED);
  }
}
