# set and ${name} substitution, case-insensitive names, unknown names empty, invalid references literal (SV-46, SV-47)
require ["variables", "fileinto"];
set "Folder" "Work";
set "sub" "Notes";
fileinto "${folder}/${SUB}${unknown}";
fileinto "${bad-name}x";
fileinto "${}${ folder }";
