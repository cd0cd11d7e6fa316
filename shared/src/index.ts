export * from './validation';
export * from './org';
export * from './stages';
export * from './customers';
export * from './auth';
export * from './errors';
export * from './time-zone';
export * from './visits';
