"""Field parsers shared by the extraction and enrichment stages: one parser per field family.

Extraction finds the regions of a page (header lines, the disclosure table, ``<meta>`` tags)
and hands their raw strings to these parsers; enrichment hands them lines of the cleaned text
for what the page regions could not give. So a 文号, a byline or a date reads the same wherever
it was printed, and a value means the same whichever stage found it (fundus' publishers call
shared ``generic_*`` parsers the same way).

* :mod:`pipelines.fields.dates`: dates, relative dates, URL dates, plausibility;
* :mod:`pipelines.fields.bylines`: labelled values (来源, 责任编辑), names, authors with roles;
* :mod:`pipelines.fields.docnumber`: the 文号 reader and normalizer, raw and normalized;
* :mod:`pipelines.fields.issuer`: the issuing body from a masthead or signature line;
* :mod:`pipelines.fields.text`: line helpers (compacted lines, NFKC, non-empty lines);
* :mod:`pipelines.fields.found`: a value and the rule that found it.

Words come from :class:`pipelines.vocab.FieldVocabulary`.
"""
