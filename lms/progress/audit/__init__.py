"""The pure audit: no Flask, no database (DESIGN principle 1).

Reading catalogues and learner records: :mod:`.catalogue`, :mod:`.requirements`, :mod:`.records`,
:mod:`.transcripts` (pydantic models in :mod:`.transcript_models`, for records its quick check
declines), over :mod:`.documents` (YAML/JSON with lines, problems); the catalogue as the audit reads
it, without pydantic, in :mod:`.definitions` (what the file-only commands' cache,
:mod:`.catalogue_cache`, unpickles). The audit itself, :func:`lms.progress.audit.engine.audit`, in phases: what the
learner holds as tokens (:mod:`.holdings`), the tree as flat nodes cached per programme version
(:mod:`.shape`), the exact allocation (:mod:`.solver`) and the formats.md result (:mod:`.report`),
with exact ECTS arithmetic in :mod:`.numbers`. Over many audits: every programme ranked
(:mod:`.ranking`) and what changes between two audits (:mod:`.whatif`). The planner's pure search
is the :mod:`.planner` package. Everything here works on plain values, so the CLI can audit files
without building the web app.
"""
