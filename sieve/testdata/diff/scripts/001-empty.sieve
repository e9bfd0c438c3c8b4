# an empty script: only the implicit keep (SV-14)

