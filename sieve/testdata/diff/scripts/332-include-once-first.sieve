# include: :once twice runs once, a later plain include runs again (RFC 6609 §3.2)
require ["include", "variables", "fileinto"];
global "acc";
include :once "append";
include :once "append";
include "append";
include :once :global "once_lib";
include :global :once "once_lib";
fileinto "r${acc}";
