"""The API's request and answer shapes (pydantic), one module per resource: the OpenAPI description
is generated from them. Answers follow formats.md where it has a shape."""
