/** Jira Cloud (REST API v3, token-paged search) or Data Center and Server (REST API v2, offset-paged search). */
export type JiraFlavor = "cloud" | "data-center";

/** REST API version whose paths a flavor uses. */
export function apiVersion(flavor: JiraFlavor): "2" | "3" {
  return flavor === "cloud" ? "3" : "2";
}
