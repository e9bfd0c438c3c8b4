# comments of both kinds and nothing else (SV-01, SV-14)
# hash comment
/* bracketed
   comment */
