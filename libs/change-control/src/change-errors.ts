import { BadRequestException, ConflictException, HttpException, HttpStatus, UnprocessableEntityException } from '@nestjs/common';
import type { ValidationIssue } from '#registry';

/** 400 naming each failing pointer and rule of a value checked against an option's schema. */
export class InvalidValue extends BadRequestException {
  constructor(key: string, details: ValidationIssue[]) {
    super({ message: `value does not satisfy the schema of option "${key}"`, details });
  }
}

export class StaleVersion extends HttpException {
  constructor(message: string) {
    super(message, HttpStatus.PRECONDITION_FAILED);
  }
}

/** 409 whose body names the rule that refused the request. */
export class RuleConflict extends ConflictException {
  constructor(message: string, rule: string, pointer = '/') {
    super({ message, details: [{ pointer, rule, message }] });
  }
}

/** 422 for a well-formed request that a change-control rule refuses. */
export class RuleRefused extends UnprocessableEntityException {
  constructor(message: string, rule: string, pointer = '/') {
    super({ message, details: [{ pointer, rule, message }] });
  }
}

/** 423: an active election seal freezes the tenant's configuration. */
export class TenantSealed extends HttpException {
  constructor(
    tenant: string,
    readonly sealId: string,
  ) {
    const message = `tenant "${tenant}" is sealed (seal ${sealId}): its configuration cannot change until the seal is lifted`;
    super({ message, details: [{ pointer: '/', rule: 'sealed', message: sealId }] }, HttpStatus.LOCKED);
  }
}
