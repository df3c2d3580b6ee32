/** A page of the change cursor as a client reads it. */
export interface ChangesPage {
  changes: {
    type: string
    id: string
    locale: string
    uri: string
    version: string
    at: string
    item?: string
    embargoedUntil?: string
    reason?: string
  }[]
  next_cursor: string
  more: boolean
}
