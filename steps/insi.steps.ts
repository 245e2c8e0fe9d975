import { Given, When } from '@cucumber/cucumber';
import { VigieWorld } from './support/world';

// How the INSi double answers in this scenario. Slowness is a hold released by the scenario:
// a "slow INSi" scenario takes no longer than a fast one.

Given('INSi is slow: it answers only when released', function (this: VigieWorld) {
  this.insi.hold();
  this.state.insiHoldOn = true;
});

Given('INSi answers that it finds no identity', function (this: VigieWorld) {
  this.insi.respondWith({ kind: 'none' });
});

Given('INSi answers that it finds several identities', function (this: VigieWorld) {
  this.insi.respondWith({ kind: 'several' });
});

Given('INSi answers with an error', function (this: VigieWorld) {
  this.insi.respondWith({ kind: 'fault', code: 'insi_102' });
});

Given(/^INSi knows (\S+ \S+) as (?:(?:she|he) is )?registered nationally$/, function (this: VigieWorld, name: string) {
  const patient = this.person(name);
  this.insi.respondWith({ kind: 'identity', person: { ...patient.insi } });
});

Given(/^INSi knows (\S+ \S+) as born on (\d{4}-\d{2}-\d{2})$/, function (this: VigieWorld, name: string, date: string) {
  const patient = this.person(name);
  this.insi.respondWith({ kind: 'identity', person: { ...patient.insi, birthDate: date } });
});

When('INSi answers', function (this: VigieWorld) {
  this.state.insiHoldOn = false;
  this.insi.release();
});

When('INSi drops the connection without answering', function (this: VigieWorld) {
  this.state.insiHoldOn = false;
  this.insi.release({ drop: true });
});
