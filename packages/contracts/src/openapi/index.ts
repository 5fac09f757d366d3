export { openApiDocument } from './document.js';
export { routeErrors, type RouteError } from './route-errors.js';
