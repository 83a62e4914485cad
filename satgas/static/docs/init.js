// Starts Swagger UI from the data attributes of its container (no inline script: strict CSP).
(function () {
  const container = document.getElementById("swagger-ui-container");
  const config = Object.assign(
    { url: container.dataset.specUrl, dom_id: "#swagger-ui-container", validatorUrl: null },
    JSON.parse(container.dataset.config || "{}"),
  );
  window.ui = window.SwaggerUIBundle(config);
})();
