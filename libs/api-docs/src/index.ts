export * from "./openapi-compat.js";
export { SWAGGER_ASSETS, type SwaggerUi, swaggerUi } from "./swagger-ui.js";
