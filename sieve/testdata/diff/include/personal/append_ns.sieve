require ["include", "variables"];
set "global.acc" "${global.acc}y";
