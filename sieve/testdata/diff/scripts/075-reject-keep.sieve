# reject together with an explicit keep (SV-33; Pigeonhole's view recorded)
require "reject"; reject "no"; keep;
