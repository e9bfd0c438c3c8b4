# reject cancels the implicit keep (SV-29)
require "reject"; reject "I do not accept messages from you.";
