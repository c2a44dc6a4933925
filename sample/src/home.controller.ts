import { Controller, Get, Redirect } from '@nestjs/common';

@Controller()
export class HomeController {
  /** The chat is the front page (the sign-in page first, when signed out). */
  @Get()
  @Redirect('/rooms/general', 302)
  home(): void {}
}
