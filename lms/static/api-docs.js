// The API's browsable description (Swagger UI from the installed package; no inline script: CSP).
(function () {
  var root = document.getElementById("swagger-ui");
  if (!root || typeof SwaggerUIBundle === "undefined") return;
  SwaggerUIBundle({ url: root.getAttribute("data-spec"), domNode: root, deepLinking: true });
})();
