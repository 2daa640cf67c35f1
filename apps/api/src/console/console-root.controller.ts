import { Controller, Get, HttpCode, Redirect } from '@nestjs/common';
import { Public } from '#policy';
import { Answers } from '#http';
import { CONSOLE_PREFIX } from './console.assets.js';

/** The service's root leads a person who typed only the address to the console; it holds no data. */
@Controller()
export class ConsoleRootController {
  @Get()
  @Public()
  @HttpCode(302)
  @Redirect(CONSOLE_PREFIX, 302)
  @Answers({ 302: null })
  root(): void {}
}
