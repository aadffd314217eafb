// Starts the vendored GraphiQL (static/vendor/graphiql) on /graphql. The page has no inline
// script (Content-Security-Policy): the endpoint and the session's CSRF token come from data-
// attributes. Requests go to our own origin with the session cookie; the token satisfies the
// CSRF check every cookie-authenticated POST must pass.
"use strict";

const EXAMPLE_QUERY = `# Kizuna GraphQL API. Run a query with Ctrl-Enter;
# the schema is in the Docs panel.
query Me {
  me {
    user { name email }
    role { name }
    timezone
  }
}
`;

document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("graphiql");
  // Read by the <style> GraphiQL's dialogs insert (react-remove-scroll): the page's CSP allows
  // styles carrying this response's nonce, and no other inline style.
  window.__webpack_nonce__ = root.dataset.styleNonce;
  const fetcher = GraphiQL.createFetcher({
    url: root.dataset.endpoint,
    headers: { "X-CSRF-Token": root.dataset.csrfToken },
  });
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher,
      defaultQuery: EXAMPLE_QUERY,
      defaultEditorToolsVisibility: true,
    }),
  );
});
