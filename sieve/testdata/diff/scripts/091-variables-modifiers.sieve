# set modifiers and their precedence (SV-47)
require ["variables", "fileinto"];
set :upperfirst :lower "b" "juMBlEd";
fileinto "${b}";
set :length "n" "Grüße";
fileinto "len-${n}";
set :upper "u" "abc";
set :lowerfirst "lf" "ABC";
fileinto "${u}-${lf}";
set :quotewildcard "q" "a*b?c\\d";
fileinto "${q}";
