"""The pure audit: no Flask, no database (DESIGN principle 1).

Reading catalogues and learner records (:mod:`.catalogue`, :mod:`.requirements`, :mod:`.records`,
:mod:`.transcripts`), the exact allocation of holdings to a requirement tree (:mod:`.engine`), what-if
and ranking over every programme (:mod:`.explore`) and the planner's pure search (:mod:`.planner`).
Everything here works on plain values, so the CLI can audit files without building the web app.
"""
