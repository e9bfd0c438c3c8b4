require ["include", "variables"];
global "acc";
set "acc" "${acc}x";
