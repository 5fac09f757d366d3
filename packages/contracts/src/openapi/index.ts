export { openApiDocument } from './document.js';
export { routeErrors, type RouteError } from './route-errors.js';
export { asyncApiDocument } from './asyncapi.js';
