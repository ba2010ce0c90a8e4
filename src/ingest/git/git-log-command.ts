/** The command whose output `parseGitLog` reads, for hints in messages and docs. */
export const GIT_LOG_COMMAND = "git log --all --date-order --format=fuller --date=iso-strict --numstat > git-log.txt";
