"""The API's routers, one module per resource; each route is a few lines over the use cases."""
