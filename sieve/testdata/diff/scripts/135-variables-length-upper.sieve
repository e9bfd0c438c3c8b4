# modifiers of different precedence combine: :length applies last (SV-47)
require ["variables", "fileinto"];
set :length :upper "n" "abcdef";
set :quotewildcard :upperfirst "q" "a*b";
fileinto "${n}-${q}";
